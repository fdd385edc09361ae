cluster "c" {
  version = "1.0"
  os      = "centos-7"
  network = "10.0.0.0/24"
}
image "zk" {
  source = "127.0.0.1:5000/Indigo/ZooKeeper:latest" # ERROR: does not parse
  target = "127.0.0.1:5001/indigo/zookeeper:latest"
}
