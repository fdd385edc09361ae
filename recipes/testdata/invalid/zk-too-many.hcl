cluster "big" { # ERROR: ZooKeeper ids run 1..255
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/16"
}
role "master" { components = ["zookeeper"] }
hosts "m-%d" {
  count   = 256
  role    = "master"
  ip_from = "10.0.1.1"
}
