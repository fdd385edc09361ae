package imagestest

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
)

// RegistryHandler returns go-containerregistry's in-memory registry with its request log
// silenced; wrap it to count or fail requests before serving it.
func RegistryHandler() http.Handler {
	return registry.New(registry.Logger(log.New(io.Discard, "", 0)))
}

// Server is a registry served over plain HTTP on 127.0.0.1.
type Server struct {
	// Host is "127.0.0.1:PORT", the registry part of an image reference.
	Host string
	srv  *httptest.Server
}

// Serve starts h on a free loopback port (httptest listens on 127.0.0.1 only).
func Serve(h http.Handler) *Server {
	srv := httptest.NewServer(h)
	return &Server{Host: strings.TrimPrefix(srv.URL, "http://"), srv: srv}
}

// NewRegistry serves a fresh in-memory registry.
func NewRegistry() *Server { return Serve(RegistryHandler()) }

// Close stops the server and drops its connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}
