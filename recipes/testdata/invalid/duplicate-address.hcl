cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "master" { components = [] }
host "m1" {
  role = "master"
  ip = "10.0.0.5"
}
host "m2" { # ERROR: already the address of a host defined at
  role = "master"
  ip = "10.0.0.5"
}
