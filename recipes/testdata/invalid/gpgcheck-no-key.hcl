cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
repository "r" {
  type     = "rpm"
  baseurl  = "http://127.0.0.1/el/7/"
  gpgcheck = true # ERROR: has no gpgkey
  packages = ["*"]
}
