cluster "c" {
  version       = "1.0"
  os            = "centos-7"
  root_password = "hunter2" # ERROR: openssl passwd -6
}
