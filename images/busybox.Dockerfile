# shoal on busybox: cluster-init as PID 1, the static shoal beside it and on PATH.
ARG BASE
FROM ${BASE}
COPY cluster-init shoal /
RUN mkdir -p /usr/local/bin && ln -s /shoal /usr/local/bin/shoal
ENTRYPOINT ["/cluster-init"]
CMD ["sleep", "infinity"]
