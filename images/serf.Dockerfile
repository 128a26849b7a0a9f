# Debian's serf (dynamically linked: glibc and its loader come along) under cluster-init,
# on the busybox base. cluster-init runs `serf agent $SHOAL_AGENT_OPTS` and makes it leave.
ARG BASE
FROM ${BASE}
COPY serf-root/ /
COPY cluster-init /
ENV CLUSTER_INIT_AGENT=/usr/bin/serf
ENTRYPOINT ["/cluster-init"]
CMD ["sleep", "infinity"]
