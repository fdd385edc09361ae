# palletizer: `make help` lists what each target does.
GO      ?= go
BIN     := bin/palletizer
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: help build test lint demo bench deps fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/palletizer
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/palletizer

deps: ## install the real tools the interop tests use (Debian packages), when missing
	bash scripts/test-deps.sh

lint: ## go vet and a gofmt check
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: deps lint ## install test tools, lint, run every test with the race detector
	$(GO) test -race -count=1 ./...

demo: build ## run palletizer offline on the bundled examples
	bash scripts/demo.sh

bench: deps build ## benchmarks, side by side with the real tools
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 60m ./...

fuzz: ## a short run of every fuzz target
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep ^Fuzz); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; done; done

clean: ## remove build output
	rm -rf bin out
