# seeds/004 as a recipe: every Mesos component runs as an INDIGO-DataCloud style container from
# the site registry; three HA masters, slaves, and a pair of marathon-lb + keepalived balancers.

cluster "mesos-indigo" {
  version            = "2.0.0"
  os                 = "centos-7"
  arch               = "x86_64"
  domain             = "dc1.example.org"
  network            = "10.2.0.0/16"
  gateway            = "10.2.0.1"
  nameservers        = ["10.2.0.1"]
  root_password_hash = "$6$palletizerdemo$oK3g0y/mv4U1wTc7AB.BNCiHH5LFjyY.1BUJsGRNOC7i5k4Iy05Ul5Xe1cscy2bjFHds0uYDkLNu9QdLDt0oc/"
}

variable "upstream" {
  type        = string
  default     = "http://127.0.0.1:18080"
  description = "Where the Docker CE repository is served."
}

variable "source_registry" {
  type        = string
  default     = "127.0.0.1:15000"
  description = "The registry the component images are pulled from."
}

variable "registry" {
  type        = string
  default     = "registry.dc1.example.org:5000"
  description = "The site registry the nodes pull from."
}

variable "keepalived_password" {
  type        = string
  default     = "demo-only"
  description = "VRRP password shared by the balancers; set it with PALLETIZER_VAR_keepalived_password."
}

variable "repo_key" {
  type        = string
  default     = "keys/RPM-GPG-KEY-palletizer-demo"
  description = "The armored key that signs the upstream repodata (the demo passes its own)."
}

repository "docker-ce-stable" {
  type              = "rpm"
  baseurl           = "${var.upstream}/docker-ce/centos/7/x86_64/stable/"
  gpgkey            = file(var.repo_key)
  packages          = ["docker-ce", "docker-ce-cli", "containerd.io"]
  newest            = true
  with_dependencies = true
}

attributes {
  mesos_cluster_name = "indigo"
  keepalived = {
    virtual_ip = "10.2.0.100"
    interface  = "eth0"
    password   = var.keepalived_password
  }
}

role "master" {
  components = ["docker", "zookeeper", "mesos-master", "marathon", "chronos"]
  install    = "container"
  component_install = { docker = "package" }
}

role "slave" {
  components = ["docker", "mesos-slave"]
  install    = "container"
  component_install = { docker = "package" }
}

role "loadbalancer" {
  components = ["docker", "marathon-lb", "keepalived"]
  install    = "container"
  component_install = { docker = "package" }
}

hosts "master-%d" {
  count   = 3
  first   = 1
  role    = "master"
  ip_from = "10.2.1.11"
}

hosts "slave-%d" {
  count   = 4
  first   = 1
  role    = "slave"
  ip_from = "10.2.2.21"
}

hosts "lb-%d" {
  count   = 2
  first   = 1
  role    = "loadbalancer"
  ip_from = "10.2.3.31"
}

image "zookeeper" {
  source = "${var.source_registry}/indigodatacloud/zookeeper:latest"
  target = "${var.registry}/indigo/zookeeper:latest"
}

image "mesos-master" {
  source = "${var.source_registry}/indigodatacloud/mesos-master:1.5.0"
  target = "${var.registry}/indigo/mesos-master:1.5.0"
}

image "mesos-slave" {
  source = "${var.source_registry}/indigodatacloud/mesos-slave:1.5.0"
  target = "${var.registry}/indigo/mesos-slave:1.5.0"
}

image "marathon" {
  source = "${var.source_registry}/indigodatacloud/marathon:1.5.6"
  target = "${var.registry}/indigo/marathon:1.5.6"
}

image "chronos" {
  source = "${var.source_registry}/indigodatacloud/chronos:3.0.2"
  target = "${var.registry}/indigo/chronos:3.0.2"
}

image "marathon-lb" {
  source = "${var.source_registry}/indigodatacloud/marathon-lb:latest"
  target = "${var.registry}/indigo/marathon-lb:latest"
}

image "keepalived" {
  source = "${var.source_registry}/indigodatacloud/keepalived:latest"
  target = "${var.registry}/indigo/keepalived:latest"
}

output "pallet" { per_role = true }
output "kickstart" { install_from = "cdrom" }
output "cloudinit" { gzip = "auto" }
