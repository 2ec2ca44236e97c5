#include "CWebP.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>

int tg_webp_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height, int *channels,
                   char *error, size_t error_size) {
    WebPBitstreamFeatures features;
    *pixels = NULL;
    VP8StatusCode status = WebPGetFeatures(data, size, &features);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA) {
        snprintf(error, error_size, "WebP file is truncated");
        return -1;
    }
    if (status != VP8_STATUS_OK) {
        snprintf(error, error_size, "not a valid WebP file (libwebp status %d)", (int)status);
        return -1;
    }
    if (features.has_animation) {
        snprintf(error, error_size, "animated WebP: only still images are supported");
        return -1;
    }
    if ((uint64_t)features.width * features.height > (1u << 28)) {
        snprintf(error, error_size, "image is too large (%dx%d)", features.width, features.height);
        return -1;
    }
    // A header of about 30 bytes can declare 16383x16383 pixels, 805 MB of RGB: judge the pixel count against the
    // file before allocating, as PNG and JPEG do. WebP's lossless codes can spend no bits at all on a flat area,
    // so no ratio is a hard bound: libwebp (through Pillow) wrote a flat 4096x4096 image in 706 bytes, 23,800
    // pixels a byte, and photographs at quality 10 reach about 60. Allow 32,768 pixels a byte plus a megapixel:
    // a forged 30-byte header then costs at most 6 MB.
    if ((uint64_t)features.width * features.height > 32768u * (uint64_t)size + (1u << 20)) {
        snprintf(error, error_size, "declares %dx%d pixels in %zu bytes: more than a WebP file that small holds",
                 features.width, features.height, size);
        return -1;
    }
    // libwebp decodes into a buffer the caller owns, so the result is freed with free() like the others'.
    int n = features.has_alpha ? 4 : 3;
    size_t stride = (size_t)features.width * n;
    uint8_t *out = malloc(stride * features.height);
    if (!out) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    uint8_t *decoded = n == 4 ? WebPDecodeRGBAInto(data, size, out, stride * features.height, (int)stride)
                              : WebPDecodeRGBInto(data, size, out, stride * features.height, (int)stride);
    if (!decoded) {
        free(out);
        snprintf(error, error_size, "damaged WebP data (the image could not be decoded)");
        return -1;
    }
    *width = features.width;
    *height = features.height;
    *channels = n;
    *pixels = out;
    return 0;
}
