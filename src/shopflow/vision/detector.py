"""Person detector: YOLO-format ONNX model on onnxruntime, letterboxed input, persons only, NMS."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from shopflow.domain.cameras import DEFAULT_IMGSZ, MODEL_STRIDE, check_imgsz
from shopflow.domain.people import Detections
from shopflow.vision.model_files import ModelError

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]
STRIDE = MODEL_STRIDE
PERSON_CLASS = 0
PAD_VALUE = 114  # the grey YOLO models were trained with around letterboxed images


@dataclass(frozen=True, slots=True)
class Letterbox:
    """How one image was scaled and padded into the model's input, to map boxes back."""

    scale: float
    pad_x: int
    pad_y: int


def input_shape(width: int, height: int, imgsz: int) -> tuple[int, int]:
    """The smallest stride-aligned (width, height) that holds the image scaled so its long side is imgsz."""
    scale = imgsz / max(width, height)
    new_w, new_h = round(width * scale), round(height * scale)
    return (-(-new_w // STRIDE) * STRIDE, -(-new_h // STRIDE) * STRIDE)


def letterbox(image: Image, imgsz: int, target: tuple[int, int]) -> tuple[Image, Letterbox]:
    height, width = image.shape[:2]
    scale = imgsz / max(width, height)
    new_w, new_h = round(width * scale), round(height * scale)
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR) if scale != 1 else image
    pad_x, pad_y = (target[0] - new_w) // 2, (target[1] - new_h) // 2
    padded = cv2.copyMakeBorder(
        resized,
        pad_y,
        target[1] - new_h - pad_y,
        pad_x,
        target[0] - new_w - pad_x,
        cv2.BORDER_CONSTANT,
        value=(PAD_VALUE, PAD_VALUE, PAD_VALUE),
    )
    return np.asarray(padded, dtype=np.uint8), Letterbox(scale, pad_x, pad_y)


class YoloOnnxDetector:
    """YOLO11-style ONNX detector (output (batch, 4 + classes, anchors)) keeping persons only."""

    def __init__(
        self,
        model_path: Path,
        *,
        imgsz: int = DEFAULT_IMGSZ,
        confidence: float = 0.5,
        nms_iou: float = 0.45,
        threads: int = 2,
    ) -> None:
        check_imgsz(imgsz, "input size")
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own untyped errors for unreadable models
            raise ModelError(f"cannot load the detector model {model_path}: {error}") from error
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        self.imgsz, self.confidence, self.nms_iou = imgsz, confidence, nms_iou
        log.info("detector loaded: %s, input %s, %d threads", model_path.name, imgsz, threads)

    def detect(self, image: Image) -> Detections:
        return self.detect_batch([image])[0]

    def detect_batch(self, images: Sequence[Image]) -> list[Detections]:
        """One model run for frames from several cameras: they share one padded input shape."""
        if not images:
            return []
        shapes = [input_shape(img.shape[1], img.shape[0], self.imgsz) for img in images]
        target = (max(s[0] for s in shapes), max(s[1] for s in shapes))
        boxed = [letterbox(img, self.imgsz, target) for img in images]
        blob = cv2.dnn.blobFromImages([b[0] for b in boxed], scalefactor=1 / 255.0, swapRB=True)
        (output,) = self._session.run(None, {self._input_name: blob})
        return [
            self._persons(output[i], boxed[i][1], images[i].shape[1], images[i].shape[0]) for i in range(len(images))
        ]

    def _persons(self, output: npt.NDArray[np.float32], box: Letterbox, width: int, height: int) -> Detections:
        scores = output[4 + PERSON_CLASS]
        keep = scores >= self.confidence
        if not keep.any():
            return Detections.empty()
        cx, cy, w, h = (output[i][keep] for i in range(4))
        scores = scores[keep]
        x1 = (cx - w / 2 - box.pad_x) / box.scale
        y1 = (cy - h / 2 - box.pad_y) / box.scale
        x2 = (cx + w / 2 - box.pad_x) / box.scale
        y2 = (cy + h / 2 - box.pad_y) / box.scale
        xyxy = np.stack([x1, y1, x2, y2], axis=1)
        xyxy[:, [0, 2]] = np.clip(xyxy[:, [0, 2]], 0, width)
        xyxy[:, [1, 3]] = np.clip(xyxy[:, [1, 3]], 0, height)
        xywh = np.column_stack([xyxy[:, 0], xyxy[:, 1], xyxy[:, 2] - xyxy[:, 0], xyxy[:, 3] - xyxy[:, 1]])
        indices = cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), self.confidence, self.nms_iou)
        chosen = np.asarray(indices, dtype=np.int64).reshape(-1)
        return Detections(xyxy=xyxy[chosen].astype(np.float32), confidence=scores[chosen].astype(np.float32))
