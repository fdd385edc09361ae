cluster "c" {
  version = "1.0"
  os      = "centos7" # ERROR: write <name>-<release>
  network = "10.0.0.0/24"
}
role "r" { components = [] }
