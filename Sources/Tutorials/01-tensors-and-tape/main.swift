import Autograd
print(Tapegrad.blasInfo)
