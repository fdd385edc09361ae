cluster "even" { # WARNING: use an odd number
  version = "1.0"
  os      = "centos-7"
}
role "master" { components = ["mesos-master"] }
hosts "m-%d" {
  count   = 2
  role    = "master"
  ip_from = "10.0.0.1"
}
