# A busybox base made here, since nothing can be pulled: Debian's static busybox and one link
# per applet, staged by images/build.sh.
FROM scratch
COPY rootfs/ /
CMD ["/bin/sh"]
