# syntax=docker/dockerfile:1
# Build: docker build -t scaleguard .     Run: docker run scaleguard serve --help

FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev libyaml-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY Tests ./Tests
RUN swift build -c release --product scaleguard --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/scaleguard" /out/scaleguard

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libyaml-0-2 libstdc++6 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/scaleguard /usr/local/bin/scaleguard
# The same binary is the kubectl plugin under this name.
RUN ln -s scaleguard /usr/local/bin/kubectl-scaleguard
USER 65532:65532
# 8443: the webhook (HTTPS); 8081: probes and metrics (plain HTTP).
EXPOSE 8443 8081
ENTRYPOINT ["/usr/local/bin/scaleguard"]
CMD ["serve"]
