cluster "../../tmp/evil" { # ERROR: names output files
  version = "1.0"
  os      = "centos-7"
}
repository "../kickstart" { # ERROR: repository name "../kickstart" names output files
  type     = "rpm"
  baseurl  = "http://127.0.0.1/el/7/"
  packages = ["*"]
}
