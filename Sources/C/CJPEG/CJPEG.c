#include "CJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include <jerror.h>

struct error_manager { struct jpeg_error_mgr base; jmp_buf jump; int truncated, allow_truncated; };

static void on_error_exit(j_common_ptr info) {
    struct error_manager *e = (struct error_manager *)info->err;
    longjmp(e->jump, 1);
}

// Warnings (level < 0) are corrupt-but-decodable data, which is allowed, except one: the data ended before the
// image did, and libjpeg would fill the rest with grey. Unless that is allowed, decoding stops right there (a
// 100-byte file can declare a 200-megapixel image); when allowed, it is remembered so the caller can say so.
static void on_message(j_common_ptr info, int level) {
    struct error_manager *e = (struct error_manager *)info->err;
    if (level >= 0 || info->err->msg_code != JWRN_JPEG_EOF) return;
    e->truncated = 1;
    if (!e->allow_truncated) longjmp(e->jump, 1);
}

static const char *truncated_message = "the file is truncated: it ends before the image does";

int tg_jpeg_decode_rgb(const uint8_t *data, size_t size, int allow_truncated, uint8_t **pixels, int *width,
                       int *height, char *error, size_t error_size) {
    struct jpeg_decompress_struct info;
    struct error_manager errors;
    uint8_t *volatile out = NULL;
    *pixels = NULL;
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        snprintf(error, error_size, "not a JPEG file (bad signature)");
        return -1;
    }
    info.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = on_error_exit;
    errors.base.emit_message = on_message;
    errors.truncated = 0;
    errors.allow_truncated = allow_truncated;
    if (setjmp(errors.jump)) {
        char message[JMSG_LENGTH_MAX];
        errors.base.format_message((j_common_ptr)&info, message);
        snprintf(error, error_size, "%s", errors.truncated ? truncated_message : message);
        free(out);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        snprintf(error, error_size, "CMYK JPEGs are not supported; convert the image to RGB first");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    uint64_t pixels_declared = (uint64_t)info.image_width * info.image_height;
    if (pixels_declared > (1u << 28)) {
        snprintf(error, error_size, "image is too large (%ux%u)", info.image_width, info.image_height);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    // Every 8x8 block costs at least one bit of Huffman-coded data, so a real JPEG has at least one byte per 512
    // pixels; allow 8 times fewer. A file below that declares far more image than it holds: a decompression bomb.
    if (pixels_declared > (uint64_t)size * 4096) {
        snprintf(error, error_size, "declares %ux%u pixels in %zu bytes: more than any real JPEG holds",
                 info.image_width, info.image_height, size);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 3;
    out = malloc(stride * info.output_height);
    if (!out) {
        snprintf(error, error_size, "out of memory");
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = out + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_destroy_decompress(&info);
    *pixels = out;
    if (errors.truncated) {
        snprintf(error, error_size, "%s (the rest is grey)", truncated_message);
        return 1;
    }
    return 0;
}
