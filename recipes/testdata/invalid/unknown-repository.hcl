cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
repository "mesosphere" {
  type     = "rpm"
  baseurl  = "http://127.0.0.1/el/7/"
  packages = ["mesos"]
}
role "master" { # ERROR: did you mean "mesosphere"
  components   = []
  repositories = ["mesosphre"]
}
