# syntax=docker/dockerfile:1
# chiso — multi-stage build. DuckDB is linked through cgo, so the binary is
# built with CGO_ENABLED=1 against glibc (Debian 12) and runs on distroless
# "cc" (glibc + libstdc++, CA certificates, tzdata, non-root user 65532).
#
#   docker build -t chiso --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm -p 9369:9369 -v chiso-data:/var/lib/chiso chiso
#
# Without arguments the container runs `chiso serve` on the bundled sample
# reports; mount your own reports and pass their path (or URLs) instead.

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=1 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=unknown
ARG BUILD_DATE=unknown
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -o /out/chiso \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=${VERSION} \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=docker \
        -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
      ./cmd/chiso \
 && /out/chiso --version \
 && mkdir -p /out/var/lib/chiso

FROM gcr.io/distroless/cc-debian12:nonroot
LABEL org.opencontainers.image.title="chiso" \
      org.opencontainers.image.description="Indicators from Vietnamese provincial ICT reports: DuckDB warehouse, Prometheus exporter, evidence pages" \
      org.opencontainers.image.source="https://github.com/chiso-vn/chiso"
COPY --from=build /out/chiso /usr/local/bin/chiso
COPY --from=build --chown=65532:65532 /out/var/lib/chiso /var/lib/chiso
COPY testdata/reports /usr/share/chiso/reports
WORKDIR /var/lib/chiso
# Every flag is also an environment variable (CHISO_<FLAG>).
ENV CHISO_DB_PATH=/var/lib/chiso/chiso.duckdb \
    CHISO_WEB_LISTEN_ADDRESS=:9369 \
    CHISO_LOG_FORMAT=logfmt
USER 65532:65532
VOLUME ["/var/lib/chiso"]
EXPOSE 9369
ENTRYPOINT ["/usr/local/bin/chiso"]
CMD ["serve", "/usr/share/chiso/reports"]
