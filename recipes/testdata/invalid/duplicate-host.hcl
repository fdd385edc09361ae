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
host "m1" { # ERROR: Duplicate host "m1"
  role = "master"
  ip = "10.0.0.6"
}
