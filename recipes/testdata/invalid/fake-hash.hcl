cluster "c" {
  version            = "1.0"
  os                 = "centos-7"
  root_password_hash = "$6$hunter2hunter2hunter2" # ERROR: not a crypt(3) hash
}
