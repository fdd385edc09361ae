cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "master" { components = [] }
role "master" { components = [] } # ERROR: was already defined at
