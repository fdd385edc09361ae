cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "master" { components = ["zookeeper"] }
host "m1" {
  role = "mastr" # ERROR: did you mean "master"
  ip = "10.0.0.5"
}
