cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
  gateway = "10.0.1.1" # ERROR: not in network
}
role "r" { components = [] }
