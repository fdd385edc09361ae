cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
role "master" { components = ["zookeeper"] }
host "m1" {
  role = "mastr" # ERROR: did you mean "master"
  ip = "10.0.0.5"
}
host "m2" { # ERROR: already the address of a host
  role = "master"
  ip = "10.0.0.5"
}
image "zk" {
  source = "127.0.0.1:5000/indigo/zookeeper:3.4:12" # ERROR: does not parse
  target = "127.0.0.1:5001/indigo/zookeeper:3.4.12"
}
