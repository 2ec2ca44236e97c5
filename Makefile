# `make demo` and `make test` work on a fresh Debian machine: they install what is missing first.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev libwebp-dev zlib1g-dev dataset-fashion-mnist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test demo notebooks bench fixtures format

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The tutorials' tests run release executables: steps 6-8 train real models, 10x slower in a debug build.
test: deps
	$(SWIFT) build -c release
	TAPEGRAD_TUTORIALS_BIN="$$($(SWIFT) build -c release --show-bin-path)" $(SWIFT) test

# The main job: scratch vs transfer learning on Fashion-MNIST (tutorial step 7).
demo: deps
	$(SWIFT) run -c release 07-scratch-vs-transfer

# Re-runs every tutorial and refreshes notebooks-md/ (code, outputs, charts): about 12 minutes.
notebooks: deps
	$(SWIFT) build -c release
	$(SWIFT) run -c release notebooks refresh

bench: deps
	$(SWIFT) run -c release bench $(WORKLOADS)

# Developer only (needs PyPI): regenerates Tests/Fixtures with PyTorch.
fixtures:
	[ -x .venv-fixtures/bin/python ] || (python3 -m venv .venv-fixtures && .venv-fixtures/bin/pip install torch torchvision safetensors)
	for script in scripts/fixtures/*.py; do .venv-fixtures/bin/python $$script || exit 1; done

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests
