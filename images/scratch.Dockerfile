# shoal on nothing: cluster-init as PID 1 and the static shoal agent beside it (images/build.sh).
FROM scratch
COPY cluster-init shoal /
ENTRYPOINT ["/cluster-init"]
# Something that lasts as long as the node should: a scratch image has no `sleep`. Replace it
# with your own static service (COPY it in, CMD ["/my-service"]).
CMD ["/shoal", "monitor", "-log-level=err"]
