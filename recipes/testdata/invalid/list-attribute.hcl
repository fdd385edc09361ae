cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
attributes {
  masters = ["a", "b"] # ERROR: attributes are strings, numbers or booleans
}
