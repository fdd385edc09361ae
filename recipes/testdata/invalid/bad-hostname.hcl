cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "slave" { components = [] }
host "Node_1" { # ERROR: not an RFC 1123 host name
  role = "slave"
  ip = "10.0.0.9"
}
