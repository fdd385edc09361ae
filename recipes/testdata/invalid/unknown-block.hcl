cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
rol "master" { components = [] } # ERROR: Blocks of type "rol" are not expected here
