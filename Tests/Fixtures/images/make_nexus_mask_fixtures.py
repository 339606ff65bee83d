# Two small NeXus files for Tests/XrayFormatsImageTests (DetectorImages.readMask): an NXdetector with
# frames, a 2-D pixel_mask (NeXus bit field: 1 gap, 2 dead, 8 over-responding, 2**31 virtual pixel)
# and a flatfield; and one whose pixel_mask has one mask per frame. Run here with h5py.
import h5py, numpy as np

def detector(name, mask):
    with h5py.File(name, "w") as f:
        entry = f.create_group("entry"); entry.attrs["NX_class"] = "NXentry"
        inst = entry.create_group("instrument"); inst.attrs["NX_class"] = "NXinstrument"
        det = inst.create_group("detector"); det.attrs["NX_class"] = "NXdetector"
        det["data"] = (np.arange(3 * 5 * 7).reshape(3, 5, 7) % 11).astype(np.int16)
        det["pixel_mask"] = mask
        det["flatfield"] = np.ones((5, 7), dtype=np.float32)

mask = np.zeros((5, 7), dtype=np.uint32)
mask[2, :] = 1          # a gap row
mask[0, 3] = 2          # dead
mask[4, 6] = 8          # over-responding
mask[1, 1] = 2**31      # virtual pixel
detector("nexus_pixel_mask.nxs", mask)
detector("nexus_pixel_mask_per_frame.nxs", np.stack([mask, mask, mask]))
print(int(np.count_nonzero(mask)), "masked pixels")
