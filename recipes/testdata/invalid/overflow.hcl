cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "slave" { components = [] }
hosts "s-%d" {
  count   = 10 # ERROR: outside network 10.0.0.0/24
  role    = "slave"
  ip_from = "10.0.0.250"
}
