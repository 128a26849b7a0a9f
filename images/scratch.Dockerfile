# shoal on nothing: cluster-init as PID 1 and the static shoal agent beside it (images/build.sh).
FROM scratch
COPY cluster-init shoal /
ENTRYPOINT ["/cluster-init"]
# No CMD: with no command cluster-init runs the agent alone (restarted if it crashes; SIGTERM
# makes it leave). Add your own static service with COPY and CMD ["/my-service"].
