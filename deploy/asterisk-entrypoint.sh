#!/bin/sh
# Write the router's AMI user with the secret from the container's secrets, then run Asterisk.
set -eu
secret=$(cat /run/secrets/ami_secret)
sed "s/^secret = .*/secret = ${secret}/" \
    /etc/asterisk/manager.d/hotline-router.conf.sample > /etc/asterisk/manager.d/hotline-router.conf
chmod 0640 /etc/asterisk/manager.d/hotline-router.conf
exec /usr/sbin/asterisk -f -n -U asterisk -G asterisk
