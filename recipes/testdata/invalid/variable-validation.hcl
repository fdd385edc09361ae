cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
variable "n" {
  type    = number
  default = 4 # ERROR: must be odd
  validation {
    condition     = var.n % 2 == 1
    error_message = "must be odd"
  }
}
