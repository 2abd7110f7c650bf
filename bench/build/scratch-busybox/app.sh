#!/bin/sh
# Run by the last RUN step of the busybox image; bench/build.sh appends to this file for the
# "one file changed" rebuild.
echo "app: $(cat /app/greeting.txt), $(cat /app/applets.txt) applets"
