# seeds/002 as a recipe: a Stacki cluster of one Mesos master and four slaves, told apart by
# attributes (global false, host-level true) and configured by the guide's extend-base.xml, kept
# verbatim in site/. The upstream repositories are the loopback sample `make demo` serves.

cluster "mesos-stacki" {
  version            = "1.0"
  os                 = "centos-6"
  arch               = "x86_64"
  domain             = "local"
  timezone           = "America/Los_Angeles"
  network            = "10.1.0.0/16"
  gateway            = "10.1.1.1"
  nameservers        = ["10.1.1.1"]
  root_password_hash = var.root_password_hash
}

variable "upstream" {
  type        = string
  default     = "http://127.0.0.1:18080"
  description = "Where the Mesosphere, Cloudera and CentOS update repositories are served."
  validation {
    condition     = can(regex("^https?://", var.upstream))
    error_message = "upstream must be an http:// or https:// URL"
  }
}

variable "root_password_hash" {
  type        = string
  default     = "$6$palletizerdemo$oK3g0y/mv4U1wTc7AB.BNCiHH5LFjyY.1BUJsGRNOC7i5k4Iy05Ul5Xe1cscy2bjFHds0uYDkLNu9QdLDt0oc/"
  description = "crypt(3) hash of the root password (openssl passwd -6)."
}

# stack create mirror repoid=mesosphere newest=true
variable "repo_key" {
  type        = string
  default     = "keys/RPM-GPG-KEY-palletizer-demo"
  description = "The armored key that signs the upstream repodata (the demo passes its own)."
}

repository "mesosphere" {
  type              = "rpm"
  baseurl           = "${var.upstream}/mesosphere/el/6/x86_64/"
  gpgkey            = file(var.repo_key)
  packages          = ["mesos", "marathon", "chronos"]
  newest            = true
  with_dependencies = true
}

# stack create mirror repoid=cloudera-cdh4 newest=true
repository "cloudera-cdh4" {
  type     = "rpm"
  baseurl  = "${var.upstream}/cdh/4/x86_64/"
  gpgcheck = false
  packages = ["zookeeper", "zookeeper-server"]
  newest   = true
}

attributes {
  is_mesos_master    = false
  is_mesos_slave     = false
  zookeeper_ip       = "10.1.255.254" # the master's address
  mesos_cluster_name = "MesosCluster"
}

# Stacki's backend appliance: the site's extend-base.xml does the Mesos work by attribute.
role "backend" {
  components = []
}

host "backend-0-0" {
  role       = "backend"
  ip         = "10.1.255.254"
  attributes = { is_mesos_master = true }
}

hosts "backend-0-%d" {
  count      = 4
  first      = 1
  role       = "backend"
  ip_from    = "10.1.255.250"
  attributes = { is_mesos_slave = true }
}

nodes = ["site/extend-base.xml"]

variable "base_iso" {
  type        = string
  default     = "CentOS-6.10-x86_64-minimal.iso"
  description = "The installer ISO the offline installer is made from (make demo passes a tiny one)."
}

output "pallet" { per_role = true }
output "installer" {
  role     = "backend"
  base_iso = var.base_iso
}
output "kickstart" { install_from = "cdrom" }
