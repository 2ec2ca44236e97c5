// Decoding WebP with libwebp, behind the same signature as the PNG and JPEG helpers so that RGBImage picks a
// decoder by the file's first bytes and calls them all alike.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Decodes a still WebP image (lossy or lossless) held in memory to 8-bit RGB, alpha dropped.
/// On success returns 0 and sets *pixels (malloc'd, width * height * 3 bytes; the caller frees it).
/// On failure returns -1 and writes a message into error: not a WebP, an animation, or a damaged file.
int tg_webp_decode_rgb(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height,
                       char *error, size_t error_size);
