# seeds/001 as a recipe: Mesos on EC2, three masters and three slaves addressed by their private
# IPs, quorum 2, configured at first boot by cloud-init user-data (and kickstart for bare metal).

cluster "mesos-aws" {
  version            = "1.0.0"
  os                 = "centos-7"
  arch               = "x86_64"
  domain             = "ec2.internal"
  timezone           = "UTC"
  network            = "172.31.0.0/20"
  gateway            = "172.31.0.1"
  nameservers        = ["172.31.0.2"]
  root_password_hash = "$6$palletizerdemo$oK3g0y/mv4U1wTc7AB.BNCiHH5LFjyY.1BUJsGRNOC7i5k4Iy05Ul5Xe1cscy2bjFHds0uYDkLNu9QdLDt0oc/"
}

variable "upstream" {
  type    = string
  default = "http://127.0.0.1:18080"
}

locals {
  el = "${var.upstream}/mesosphere/el/7"
}

variable "repo_key" {
  type        = string
  default     = "keys/RPM-GPG-KEY-palletizer-demo"
  description = "The armored key that signs the upstream repodata (the demo passes its own)."
}

repository "mesosphere" {
  type              = "rpm"
  baseurl           = "${local.el}/x86_64/"
  gpgkey            = file(var.repo_key)
  packages          = ["mesos", "marathon", "chronos", "mesosphere-zookeeper"]
  newest            = true
  with_dependencies = true
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
  mesos_cluster_name = "aws-mesos"
}

role "master" {
  components = ["zookeeper", "mesos-master", "marathon", "chronos"]
}

role "slave" {
  components = ["mesos-slave", "docker"]
  attributes = {
    "mesos-slave.resources" = "ports(*):[8000-9000,31000-32000]"
    "mesos-slave.executor_registration_timeout" = "10mins"
  }
}

hosts "master-%d" {
  count   = 3
  first   = 1
  role    = "master"
  ip_from = "172.31.1.11"
}

host "slave-1" {
  role       = "slave"
  ip         = "172.31.2.21"
  attributes = { "mesos-slave.attributes" = "host:slave-1" }
}

host "slave-2" {
  role       = "slave"
  ip         = "172.31.2.22"
  attributes = { "mesos-slave.attributes" = "host:slave-2" }
}

host "slave-3" {
  role       = "slave"
  ip         = "172.31.2.23"
  attributes = { "mesos-slave.attributes" = "host:slave-3" }
}

output "cloudinit" { gzip = "auto" }
output "kickstart" { install_from = "cdrom" }
