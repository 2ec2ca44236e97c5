// Decoding WebP with libwebp, behind the same signature as the PNG helper so that RGBImage picks a decoder by the
// file's first bytes and calls them all alike.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Decodes a still WebP image (lossy or lossless) held in memory to 8-bit RGB, or RGBA when it has alpha.
/// On success returns 0 and sets *pixels (malloc'd, width * height * *channels bytes; the caller frees it) and
/// *channels (3 or 4). On failure returns -1 and writes a message into error: not a WebP, an animation, a
/// header declaring more pixels than the file can hold, or a damaged file.
int tg_webp_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height, int *channels,
                   char *error, size_t error_size);
