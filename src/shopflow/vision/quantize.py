"""INT8 (QDQ) copy of a YOLO-format ONNX model, calibrated on frames of the bundled sample video.

YOLO's output concatenates box coordinates (0 to 640) and class scores (0 to 1) in one tensor: one int8 scale
for both destroys the scores. So everything from the head's last convolutions on (the DFL decoding, the
sigmoid and the concatenations that build the output) stays in float; every convolution, the backbone's, the
neck's and the head's, runs in int8.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from shopflow.vision.detector import input_shape, letterbox

log = logging.getLogger(__name__)

# Bump when anything below changes the built file: a cached model built by another recipe is rebuilt.
RECIPE = "qdq-u8s8-perchannel-minmax-head-float-v1"
CALIBRATION_FRAMES = 64
CALIBRATION_SIZE = 640
SAMPLE_VIDEO = "vtest.avi"


def calibration_frames(count: int = CALIBRATION_FRAMES, imgsz: int = CALIBRATION_SIZE) -> list[npt.NDArray[np.float32]]:
    """`count` frames spread evenly over the bundled sample, prepared exactly as the detector prepares them."""
    with resources.as_file(resources.files("shopflow.assets").joinpath(SAMPLE_VIDEO)) as video:
        capture = cv2.VideoCapture(str(video))
        try:
            total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            wanted = {round(i * (total - 1) / max(count - 1, 1)) for i in range(count)}
            blobs: list[npt.NDArray[np.float32]] = []
            index = 0
            while len(blobs) < len(wanted):
                ok, image = capture.read()
                if not ok:
                    break
                if index in wanted:
                    target = input_shape(image.shape[1], image.shape[0], imgsz)
                    boxed, _ = letterbox(np.asarray(image, dtype=np.uint8), imgsz, target)
                    blob = cv2.dnn.blobFromImage(boxed, scalefactor=1 / 255.0, swapRB=True)
                    blobs.append(np.asarray(blob, dtype=np.float32))
                index += 1
        finally:
            capture.release()
    if not blobs:
        raise RuntimeError(f"could not read calibration frames from the bundled {SAMPLE_VIDEO}")
    return blobs


def float_nodes(model_path: Path) -> list[str]:
    """The nodes that must stay in float: all that follows the head's last convolution of each branch.

    Found from the graph rather than by name, so a re-exported model with other node names works too: walk back
    from the graph's output through every node that is not a Conv; the Convs reached are the branches' last
    layers (they stay int8), the rest is the decoding.
    """
    import onnx

    graph = onnx.load(str(model_path), load_external_data=False).graph
    producer = {output: node for node in graph.node for output in node.output}
    keep_float: list[str] = []
    seen: set[str] = set()
    stack = [output.name for output in graph.output]
    while stack:
        node = producer.get(stack.pop())
        if node is None or node.name in seen:
            continue
        seen.add(node.name)
        if node.op_type == "Conv" and not _is_dfl(node.name):
            continue
        keep_float.append(node.name)
        stack.extend(node.input)
    return sorted(keep_float)


def _is_dfl(name: str) -> bool:
    # The DFL's fixed 1x1 convolution (weights 0..15) computes an expectation over a softmax: keep it float.
    return "dfl" in name.lower()


class _SampleReader:
    """onnxruntime's calibration reader over prepared frames."""

    def __init__(self, input_name: str, blobs: list[npt.NDArray[np.float32]]) -> None:
        self._feeds: Iterator[dict[str, npt.NDArray[np.float32]]] = iter([{input_name: blob} for blob in blobs])

    def get_next(self) -> dict[str, npt.NDArray[np.float32]] | None:
        return next(self._feeds, None)


def quantize_model(source: Path, destination: Path, *, frames: int = CALIBRATION_FRAMES) -> None:
    """Write the INT8 QDQ copy of `source` to `destination`. Same source and library versions, same file."""
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    input_name = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"]).get_inputs()[0].name
    prepared = destination.with_name(destination.name + ".pre.onnx")
    try:
        # Shape inference and constant folding first, as onnxruntime's quantisation guide asks.
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        excluded = float_nodes(prepared)
        log.info("quantising %s to INT8 (%d nodes kept in float, %d frames)", source.name, len(excluded), frames)
        quantize_static(
            str(prepared),
            str(destination),
            _SampleReader(input_name, calibration_frames(frames)),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            reduce_range=False,  # VNNI has no overflow problem; older AVX2-only CPUs would want True
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=excluded,
        )
    finally:
        prepared.unlink(missing_ok=True)
