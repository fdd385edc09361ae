cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
repository "ubuntu" {
  type       = "deb"
  url        = "http://127.0.0.1/ubuntu"
  suite      = "jammy"
  baseurl    = "http://127.0.0.1/ubuntu" # ERROR: is an rpm repository setting
  packages   = ["mesos"]
}
