cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
  root_password_hash = local.hash # ERROR: not a crypt(3) hash
}
variable "pw" { default = "hunter22" }
locals { hash = var.pw }
role "r" { components = [] }
