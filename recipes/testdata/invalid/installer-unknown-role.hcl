cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "slave" { components = [] }
output "installer" { # ERROR: did you mean "slave"
  role     = "slav"
  base_iso = "base.iso"
}
