# The windtunnel image: the load generator (`windtunnel generate`, the default command), the Swift detector
# (`windtunnel detect`) and the validator (`windtunnel validate`) in one binary.
#
# As a drop-in for the course's generator image it is configured by the same environment variables:
#   docker run --rm -e KAFKA_BROKER=kafka:9092 -e KAFKA_TOPIC=logs -e TARGET_RPS=60000 \
#       -e ADDITIONAL_TERM=crash -e ADDITIONAL_TERM_RATE=100 windtunnel
#
# Debian's librdkafka is 2.0.2, which misreads newer brokers' ApiVersions replies; the image brings
# librdkafka 2.16 itself, unpacked by scripts/setup from the pinned confluent-kafka wheel (the library in it is
# self-contained: OpenSSL, SASL, zstd and lz4 linked in). The wheel's file has a hashed SONAME, so ldconfig
# would not file it under the librdkafka.so.1 the binary asks for: the image keeps the build's layout instead,
# /opt/windtunnel/.build/<triple>/release/windtunnel and /opt/windtunnel/.deps/lib/librdkafka.so.1, where the
# binary's run-time search path (Package.swift) finds it, as in a local build.
#
# Package.resolved stays out of the build context (.dockerignore), as it stays out of git: the image resolves
# the dependencies as a fresh clone in CI does.
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
WORKDIR /opt/windtunnel
# scripts/setup installs the build's Debian packages (librdkafka-dev for the headers, libzstd-dev) and
# unpacks librdkafka 2.16 into .deps/lib; the image runs no broker, so it skips the Tansu broker.
COPY scripts/setup scripts/setup
RUN WINDTUNNEL_SKIP_BROKER=1 scripts/setup
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
# The Swift runtime is linked in, so the final image needs no Swift toolchain. /out holds what the image
# takes, at the paths it has here.
RUN swift build -c release --static-swift-stdlib --product windtunnel \
    && bin="$(swift build -c release --show-bin-path)" \
    && install -D "$bin/windtunnel" "/out$bin/windtunnel" \
    && mkdir -p /out/opt/windtunnel/.deps \
    && cp -a .deps/lib /out/opt/windtunnel/.deps/lib

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libzstd1 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/opt/windtunnel /opt/windtunnel
# The command is a link to the binary: the loader resolves the link before it reads the search path.
RUN ln -s /opt/windtunnel/.build/*/release/windtunnel /usr/local/bin/windtunnel
# Fails the build unless the binary loads librdkafka 2.16 from the image's .deps/lib: doctor's first line names
# the version and the file; it then finds no broker here, which is expected.
RUN doctor="$(windtunnel doctor --timeout-ms 200 2>&1)"; echo "$doctor"; \
    echo "$doctor" | grep -q '^librdkafka 2\.16\.[0-9]* loaded from /opt/windtunnel/\.deps/lib/'
ENTRYPOINT ["windtunnel"]
CMD ["generate"]
