# The windtunnel image: the load generator (`windtunnel generate`, the default command), the Swift detector
# (`windtunnel detect`) and the validator (`windtunnel validate`) in one binary.
#
# As a drop-in for the course's generator image it is configured by the same environment variables:
#   docker run --rm -e KAFKA_BROKER=kafka:9092 -e KAFKA_TOPIC=logs -e TARGET_RPS=60000 \
#       -e ADDITIONAL_TERM=crash -e ADDITIONAL_TERM_RATE=100 windtunnel
#
# Debian's librdkafka is 2.0.2, which misreads newer brokers' ApiVersions replies; the image brings
# librdkafka 2.16 itself, unpacked by scripts/setup from the pinned confluent-kafka wheel (the library in it is
# self-contained: OpenSSL, SASL, zstd and lz4 linked in), and installs it as the system's librdkafka.so.1.
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
WORKDIR /src
# scripts/setup installs the build's Debian packages (librdkafka-dev for the headers, libzstd-dev) and
# unpacks librdkafka 2.16 into .deps/lib.
COPY scripts/setup scripts/setup
RUN scripts/setup
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
# The Swift runtime is linked in, so the final image needs no Swift toolchain.
RUN swift build -c release --static-swift-stdlib --product windtunnel \
    && install -D "$(swift build -c release --show-bin-path)/windtunnel" /out/bin/windtunnel \
    && install -D "$(readlink -f .deps/lib/librdkafka.so.1)" /out/lib/librdkafka.so.1

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libzstd1 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/lib/librdkafka.so.1 /usr/local/lib/librdkafka.so.1
COPY --from=build /out/bin/windtunnel /usr/local/bin/windtunnel
# Fails the build if the binary cannot load its libraries.
RUN ldconfig && windtunnel --help >/dev/null
ENTRYPOINT ["windtunnel"]
CMD ["generate"]
