# Asterisk 22 from Debian unstable (the lab's recipe), loaded with asterisk_conf/.
FROM debian:sid-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      asterisk asterisk-modules asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm \
 && rm -rf /var/lib/apt/lists/*
COPY asterisk_conf/*.conf /etc/asterisk/
COPY asterisk_conf/manager.d/hotline-router.conf.sample /etc/asterisk/manager.d/
COPY deploy/asterisk-entrypoint.sh /usr/local/bin/asterisk-entrypoint
ENTRYPOINT ["/usr/local/bin/asterisk-entrypoint"]
