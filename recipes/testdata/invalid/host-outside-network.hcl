cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "r" { components = [] }
host "h1" { # ERROR: not in the cluster network
  role = "r"
  ip = "192.168.0.1"
}
