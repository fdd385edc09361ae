cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
output "kickstrat" { install_from = "cdrom" } # ERROR: did you mean "kickstart"
