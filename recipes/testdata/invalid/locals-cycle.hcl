cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
locals {
  a = local.b # ERROR: Cycle in locals
  b = local.a # ERROR: Cycle in locals
}
