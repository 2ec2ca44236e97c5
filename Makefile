# `make demo` and `make test` work on a fresh Debian machine: they install what is missing first.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev zlib1g-dev dataset-fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test demo bench fixtures format

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test: deps
	$(SWIFT) test

# The main job until the scratch-vs-transfer comparison exists: a small VGG trained on Fashion-MNIST.
demo: deps
	$(SWIFT) run -c release 03-cnn-from-scratch

bench: deps
	$(SWIFT) run -c release bench $(WORKLOADS)

# Developer only (needs PyPI): regenerates Tests/Fixtures with PyTorch.
fixtures:
	[ -x .venv-fixtures/bin/python ] || (python3 -m venv .venv-fixtures && .venv-fixtures/bin/pip install torch torchvision safetensors)
	for script in scripts/fixtures/*.py; do .venv-fixtures/bin/python $$script || exit 1; done

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests
