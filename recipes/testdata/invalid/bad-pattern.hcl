cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "slave" { components = [] }
hosts "s-%d-%d" { # ERROR: exactly one %d
  count   = 2
  role    = "slave"
  ip_from = "10.0.0.9"
}
